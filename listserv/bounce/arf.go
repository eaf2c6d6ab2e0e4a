package bounce

import "strings"

// detectARF reads a feedback report (RFC 5965): the complaining
// recipients are its Original-Rcpt-To fields (or the opt-out draft's
// Removal-Recipient), else the To of the enclosed message.
func detectARF(m *msg) *Result {
	if len(m.feedback) == 0 {
		return nil
	}
	var rs []Recipient
	for _, b := range m.feedback {
		for _, f := range parseBlocks(string(b)) {
			for _, a := range addressesIn(f["original-rcpt-to"] + " " + f["removal-recipient"]) {
				rs = addRecipient(rs, Recipient{Address: a})
			}
		}
	}
	if len(rs) == 0 {
		for _, a := range m.origTo {
			if !strings.HasPrefix(a, "undisclosed") {
				rs = addRecipient(rs, Recipient{Address: a})
			}
		}
	}
	return &Result{Kind: Feedback, Recipients: rs}
}
