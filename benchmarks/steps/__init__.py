"""The benchmark's steps, each run by ``run.py --step NAME`` in a child process of its own."""
