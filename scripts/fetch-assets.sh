#!/usr/bin/env bash
# Placeholder until the query editor lands: nothing to fetch yet.
exit 0
