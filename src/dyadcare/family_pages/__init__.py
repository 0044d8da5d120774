"""The family's pages: what a caregiver sees after opening a texted or emailed link, or on the
clinic tablet. Public pages (no account); the link's token is the key."""
