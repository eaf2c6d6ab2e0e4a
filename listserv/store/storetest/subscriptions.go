package storetest

// subscriptionTests are the conformance tests of store.Subscriptions.
var subscriptionTests = []storeTest{}
