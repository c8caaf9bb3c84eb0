"""Fault proofs (issue 7): kill -9, several servers on PostgreSQL, a full disk."""
