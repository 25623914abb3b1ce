"""Static pickle analysis: a simulated pickle VM that never unpickles.

A leaf of the scanner: it imports no format, archive or router module; payloads it finds that are
not pickles go back to the router through the scan context.
"""
