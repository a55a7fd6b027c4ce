"""Accounts that resist attack: password history, API tokens, second factors."""
