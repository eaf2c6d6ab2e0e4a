// Package newsletter compiles, renders and sends a newsletter's weekly
// issue from the items members submit (events, research, asks and
// offers), and runs the items' life: submission to the editors' queue,
// closing dates, reminders and ask–offer matches.
//
// Implementation notes:
//   - A newsletter is a list of kind "newsletter": its subscribers are its
//     members and join, confirm and leave through the subscribe engine.
//   - The schedule is digest.Schedule (weekly, time-zone aware, one
//     instant per local date) plus minutes.
//   - An issue freezes the ids of its items when it is compiled; copies
//     are queued in batches of members, each batch with the issue's
//     cursor in one transaction (Store.QueueIssue), so an interrupted
//     send resumes where it stopped and nobody's copy is queued twice.
//   - Subscribers with the same sections and format share one rendered
//     body; only the header block (To, Message-ID, List-Unsubscribe)
//     differs per member, as in delivery and digest.
package newsletter
