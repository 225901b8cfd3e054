"""The outbox: the incident's timeline mirrored to outside tools (Slack, GitHub Issues).

`mapping` turns log events into deliveries (pure), `book` folds the log into what is
pending and what was posted, `lane` posts one tool's deliveries in order in a thread, and
`core.Outbox` ties them to a session. Every attempt is a log event (`chat.posted`,
`ticket.updated`), so a restart finds what is still pending in the log itself.
"""
