"""Start the interview simulator web app (same as `interview-sim serve`; settings from INTERVIEW_SIM_* variables)."""

import sys

from simulator.cli import main

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))
