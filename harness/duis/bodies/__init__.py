"""Body builders for every Service Request the DIT plan sends, one module per area.

Importing this package registers each builder with harness.duis.requests.body().
"""

from harness.duis.bodies import configuration, han, reads, schedules_firmware, security, tariff  # noqa: F401
