"""Start the web app; the same as `interview-sim serve` (flags and INTERVIEW_SIM_* variables)."""

import sys

from simulator.cli import main

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))
