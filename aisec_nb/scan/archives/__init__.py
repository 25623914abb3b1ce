"""Containers: zip, tar and compressed streams. Each member is scanned by content through the
router the scan context carries, one level deeper.
"""
