"""DCC releases as the DIT release baseline matrix names them: R1.3 (GBCS 1.0, TSG1, the first live
baseline) and R2.0 (GBCS 2.0, TSG2). Kept at the bottom of the import order so that the DSP, the service
user and the lab all read the same facts.
"""

R1_3, R2_0 = "R1.3", "R2.0"

# What an R1.3 service user or DSP cannot do: the SRs that came with GBCS 2.0 and CHTS v1.1 dual band
# (sub-GHz configuration and channel management). This model's reading of TSG2; the list is short on
# purpose and grows only with what a source confirms.
R2_0_SERVICE_REQUESTS = frozenset({"6.28", "6.29", "6.30", "6.31", "6.32"})
