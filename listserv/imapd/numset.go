package imapd

import (
	"slices"
	"sort"

	"github.com/emersion/go-imap/v2"
)

// msgRef is one message of the selected mailbox.
type msgRef struct {
	seq uint32
	uid imap.UID
}

// resolve turns a sequence or UID set (with * and $) into the mailbox's
// messages it names, in sequence order, each once. Numbers outside the
// mailbox name nothing.
func (sel *selected) resolve(set imap.NumSet) []msgRef {
	if imap.IsSearchRes(set) {
		set = sel.searchRes
	}
	n := len(sel.uids)
	if n == 0 {
		return nil
	}
	var idx []int
	switch set := set.(type) {
	case imap.SeqSet:
		for _, r := range set {
			lo, hi := bounds(r.Start, r.Stop, uint32(n))
			for q := max(lo, 1); q <= min(hi, uint32(n)); q++ {
				idx = append(idx, int(q-1))
			}
		}
	case imap.UIDSet:
		maxUID := uint32(sel.uids[n-1])
		for _, r := range set {
			lo, hi := bounds(uint32(r.Start), uint32(r.Stop), maxUID)
			i := sort.Search(n, func(i int) bool { return uint32(sel.uids[i]) >= lo })
			for ; i < n && uint32(sel.uids[i]) <= hi; i++ {
				idx = append(idx, i)
			}
		}
	}
	slices.Sort(idx)
	idx = slices.Compact(idx)
	out := make([]msgRef, len(idx))
	for k, i := range idx {
		out[k] = msgRef{seq: uint32(i + 1), uid: sel.uids[i]}
	}
	return out
}

// bounds replaces * (0) by max and orders the range.
func bounds(start, stop, max uint32) (uint32, uint32) {
	if start == 0 {
		start = max
	}
	if stop == 0 {
		stop = max
	}
	if start > stop {
		start, stop = stop, start
	}
	return start, stop
}
