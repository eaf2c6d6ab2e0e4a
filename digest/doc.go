// Package digest builds and sends daily and weekly digests: every post a
// list distributed since a member's previous digest, in the format the
// member reads (RFC 1153 plain text, MIME multipart/digest, accessible
// HTML with a text twin, or a linked summary), sent once and only once.
//
// Implementation notes:
//   - The schedule (schedule.go) is pure: a member's next due time is the
//     chosen wall-clock hour on the next matching local date, so each local
//     date gives exactly one instant and daylight-saving changes neither
//     skip nor repeat a digest.
//   - The engine (engine.go) finds due members by an indexed next-due
//     time, claims them with a lease (several nodes share the work), and
//     moves each member's cursor in the same transaction that queues the
//     digest mail, so a digest is queued once.
//   - Rendering (render*.go) declares the narrow Store it needs, like
//     listmonk's manager.Store; members with the same posts, period and
//     format share one rendered body and differ only in their header.
//   - The weekly newsletter will reuse the schedule and the send-once claim.
package digest
