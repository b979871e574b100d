"""The benchmark suite (``make bench``, ``make bench-smoke``): scripts, not tests.

pytest never collects this folder (it is not in ``testpaths``). See ``bench/run.py``.
"""
