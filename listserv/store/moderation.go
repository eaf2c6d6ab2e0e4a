package store

// Moderation is what the moderation engine keeps beyond the held queue:
// per-list moderation settings, sender rules, member moderation flags,
// notification tokens. (Issue: moderation queues.)
type Moderation interface{}
