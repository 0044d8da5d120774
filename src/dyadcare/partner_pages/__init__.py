"""The receiving organisation's pages under ``/r/<token>/``: one referral, reached by an
expiring no-login link sent by email (see ``views.py``)."""
