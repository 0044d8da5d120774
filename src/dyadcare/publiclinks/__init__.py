"""Links that people without an account open: a family's screening link today, a receiving
organization's referral link next. One implementation of what makes such a link safe: long
random tokens stored only as a hash (``tokens``), a throttle on addresses that guess
(``throttle``), and the HTTP side every such page shares: no caching, no referrer, a signed
cookie that only this link's pages receive, and refusing posts from other sites (``http``)."""
