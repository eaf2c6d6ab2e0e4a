// Package digest will build daily and weekly digests (RFC 1153 plain text
// and MIME multipart/digest) and the weekly newsletter of events, research,
// asks and offers. Members in mode "digest" are already skipped by fan-out
// (see store.ModeDigest); sending "once per period" will use the same
// leased-claim machinery as delivery chunks.
package digest
