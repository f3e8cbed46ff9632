"""A scenario run's outputs. The pytest plugin (harness.plugin) builds one ExecutionRecord (harness.ledger) per
scenario execution in its hooks and hands it to these sinks, one module per output:

- where the scenario runs: allure_scenario (Allure's labels, links and each step's evidence over allure-pytest-bdd's
  titles and Gherkin steps; blocked scenarios), evidence_files (each step's messages, the
  HAN capture, console transcripts, the keystore under <report-dir>);
- where the records come together (the controller under xdist): ledger_sink (each execution committed as it
  ends), summary_json (<report-dir>/summary.json), console (the progress bar and closing tables `dit run`
  shows), han_evidence (the run's HAN captures as DIT.8/DIT.11 evidence in the ledger), allure_run (Allure's
  environment, executor, categories, and its history carried on);
- stopping: how a run ends early (SIGTERM, a full disk, a lost ledger) with what it finished kept.

The room sits beside the plugin: it reads the lab's evidence and writes the ledger, and imports neither the
plugin nor pytest-bdd.
"""
