"""Labs: configuration, and the emulated lab that every CI run and most engineers use."""

from harness.lab.config import LabConfig, load
from harness.lab.contract import Lab
from harness.lab.emulated import EmulatedLab

__all__ = ["LabConfig", "load", "Lab", "EmulatedLab"]
