"""Work that happens later (issue 24): the job queue, its worker, and the delivery of scheduled messages.

huey carries the work: a SQLite file by default (one worker), Redis in production (several workers). The
rows of `scheduled_messages` are the truth about what to send; see docs/keep-in-touch.md.
"""
