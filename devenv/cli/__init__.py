"""The thin command line: flags in, one core call, events rendered out."""
