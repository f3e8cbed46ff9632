"""11.1 to many devices at once: each meter still verifies the image with its own manufacturer key, and a HAN
crowded by their answers gives each frame its turn after the channel frees, without a draw per backoff."""

from __future__ import annotations

import random

from harness.clock import VirtualClock
from harness.emulators.han import _LONGEST_BACKOFF, BAND_24GHZ, O_QPSK_2400, HanNetwork
from harness.eui import EntityId
from harness.gbcs.firmware_image import build_image
from harness.pki import derive_private_key
from tests.test_emulators import hub  # noqa: F401  (hub: the fixture)

HUB_EUI = EntityId("00-DB-12-34-56-78-90-A2")


def test_an_image_another_meter_verified_is_refused_by_a_meter_of_another_manufacturer(hub):  # noqa: F811
    (_, esme, _, _) = hub
    maker, other = derive_private_key(b"test", "manufacturer"), derive_private_key(b"test", "someone else")
    image = build_image(manufacturer_code=esme.manufacturer_code, image_type=esme.image_type, file_version=0x00020002,
                        body=bytes(1000), signing_key=maker)
    esme.init_firmware("00010001", maker.public_key())
    assert esme.receive_firmware(image)
    esme.init_firmware("00010001", other.public_key())         # the same bytes, a meter built with another key
    assert not esme.receive_firmware(image) and not esme.verified_images


class _CountingRandom(random.Random):
    draws = 0

    def randrange(self, *args, **kwargs):           # type: ignore[override]
        self.draws += 1
        return super().randrange(*args, **kwargs)

    def gauss(self, *args, **kwargs):               # type: ignore[override]
        self.draws += 1
        return super().gauss(*args, **kwargs)


def test_a_frame_behind_a_crowd_starts_within_one_backoff_of_the_channel_freeing():
    clock = VirtualClock()
    han = HanNetwork(clock, hub=HUB_EUI)
    han._random = counting = _CountingRandom(1)
    now = clock.now().timestamp()
    for busy_s in (0.001, 0.5, 100.0, 5000.0):       # up to 50,000 meters' alerts ahead of it
        han._free_at[BAND_24GHZ] = free = now + busy_s
        start = han._channel_access(O_QPSK_2400, now)
        assert free <= start < free + _LONGEST_BACKOFF * O_QPSK_2400.symbol_s
    assert counting.draws < 400                      # a backoff at a time: about 1,000,000 draws


def test_an_uncrowded_channel_draws_backoff_by_backoff():
    clock = VirtualClock()
    han = HanNetwork(clock, hub=HUB_EUI)
    han._random = counting = _CountingRandom(1)
    now = clock.now().timestamp()
    han._free_at[BAND_24GHZ] = now + 0.02                 # a frame or two on air
    assert han._channel_access(O_QPSK_2400, now) >= now + 0.02
    assert counting.draws >= 3
