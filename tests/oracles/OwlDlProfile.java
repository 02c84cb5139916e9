// The OWL API's OWL 2 DL profile check (the one Protégé and ROBOT use), as an outside oracle for
// tests/test_clients.py: prints one line per violation of the ontology document given as the
// first argument. Run in source-file mode: java -cp '/usr/share/java/*' OwlDlProfile.java FILE
// (Debian package libowlapi-java).

import java.io.File;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

public class OwlDlProfile {
    public static void main(String[] args) throws Exception {
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        OWLOntology ontology = manager.loadOntologyFromOntologyDocument(new File(args[0]));
        for (OWLProfileViolation violation : new OWL2DLProfile().checkOntology(ontology).getViolations()) {
            System.out.println(violation.getClass().getSimpleName() + "\t"
                + violation.toString().replace('\n', ' '));
        }
    }
}
