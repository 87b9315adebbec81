"""The matching model: plain Python and numpy/scipy/scikit-learn, no Flask, no SQLAlchemy.

Records go in, arrays and dataclasses come out, so the model can be tested and benchmarked alone.
"""
