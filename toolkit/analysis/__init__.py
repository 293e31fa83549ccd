"""Working out what the inputs say: KLOE coverage, audit moderation, indicators and their
comparisons.
"""
