from ecpl.cli import main

main()
