"""Operator actions: the one home for everything an operator does (declare, acknowledge,
note, page, step runs, resolve...). Each action consults the session's `Permissions` and
returns the events to append or a refusal with its reason; screens only collect input."""
