package store

// Subscriptions is what joining, leaving and preferences keep: people,
// preferences, consent evidence, confirmation tokens, the directory.
// (Issue: subscriptions and preferences.)
type Subscriptions interface{}
