package storetest

// moderationTests are the conformance tests of store.Moderation.
var moderationTests = []storeTest{}
