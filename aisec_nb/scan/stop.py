"""The scanner's internal stop signal: raised inside a parser when the bytes break a format's
rules or a bound, and always caught by the scanner and turned into a finding.

No caller of the scanner sees one: what a user gets is a finding (or, for a bad argument or an
unreadable path, an :mod:`aisec_nb.errors` error). Each parser's stop is a subclass, most of them
also ``ValueError`` as they always were, so every handler that caught them still does::

    >>> from aisec_nb.scan.archives.zip import ZipError
    >>> issubclass(ZipError, ScanStop), issubclass(ZipError, ValueError)
    (True, True)
"""

from __future__ import annotations


class ScanStop(Exception):
    """A parser cannot go on with the bytes it was given; its message says why."""
