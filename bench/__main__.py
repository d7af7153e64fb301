"""`python -m bench` (`make bench`): the supervision sweep benchmark."""

from bench.sweep import main

if __name__ == "__main__":
    main()
