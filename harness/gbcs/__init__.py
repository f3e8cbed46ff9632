"""GBCS: framing, signatures, MACs and triage decoding of the messages between DCC and devices.

Its modules are imported by name (harness.gbcs.frame, .decode, ...); the package itself imports none of them, so
one piece (local delivery, the A-XDR codec) comes without the triage decoder."""
