// Package archive is the web archive of the lists: it threads and indexes
// posts for search (Indexer), reads a post for display (Read: plain text
// with quotes folded, HTML only through the sanitiser, attachments
// listed), parses search input (ParseQuery), writes mbox exports and Atom
// feeds, and decides who may read a list's archive (CanRead).
//
// Implementation notes:
//   - The store keeps the raw bytes; everything shown is derived from them
//     on request, so an erasure rewrite or a better parser changes every
//     page at once.
//   - Threads come from In-Reply-To and References; a reply ("Re:") that
//     names no archived parent joins a recent thread with the same
//     subject. Threading happens in the indexer, after the intake commit,
//     so the SMTP hot path is unchanged.
//   - No page, export or feed loads the archive: all are keyset pages.
package archive
