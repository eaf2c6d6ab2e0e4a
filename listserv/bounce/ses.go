package bounce

import (
	"encoding/json"
	"strings"
)

// sesNotice is an Amazon SES notification (bounce, delivery, complaint)
// mailed as JSON.
type sesNotice struct {
	NotificationType string `json:"notificationType"`
	Bounce           struct {
		BounceType        string `json:"bounceType"`
		BouncedRecipients []struct {
			EmailAddress string `json:"emailAddress"`
			Status       string `json:"status"`
		} `json:"bouncedRecipients"`
	} `json:"bounce"`
	Complaint struct {
		ComplainedRecipients []struct {
			EmailAddress string `json:"emailAddress"`
		} `json:"complainedRecipients"`
	} `json:"complaint"`
}

// detectSES reads Amazon SES's JSON notifications.
func detectSES(m *msg) *Result {
	js := snsMessage(m.text)
	if js == "" {
		i := strings.Index(m.text, `{"notificationType"`)
		if i < 0 {
			return nil
		}
		// SNS wraps long lines; the JSON has no line breaks of its own.
		js = strings.NewReplacer("\r", "", "\n", "").Replace(m.text[i:])
	}
	var n sesNotice
	if err := json.NewDecoder(strings.NewReader(js)).Decode(&n); err != nil {
		return nil
	}
	switch n.NotificationType {
	case "Delivery":
		return &Result{Kind: Delivered}
	case "Complaint":
		var rs []Recipient
		for _, r := range n.Complaint.ComplainedRecipients {
			rs = addRecipient(rs, Recipient{Address: clean(r.EmailAddress)})
		}
		return &Result{Kind: Feedback, Recipients: rs}
	case "Bounce":
		class := Permanent
		if n.Bounce.BounceType == "Transient" {
			class = Temporary
		}
		var rs []Recipient
		for _, r := range n.Bounce.BouncedRecipients {
			rs = addRecipient(rs, Recipient{Address: clean(r.EmailAddress), Class: class, Status: findEnhanced(r.Status)})
		}
		if len(rs) > 0 {
			return &Result{Kind: Failed, Recipients: rs}
		}
	}
	return nil
}

// snsMessage is the notification inside an SNS envelope mailed as JSON
// ({"Type": "Notification", "Message": "{\"notificationType\"..."}),
// where the SES JSON is a string and so escaped; "" if there is none.
func snsMessage(text string) string {
	i := strings.Index(text, "{")
	if i < 0 || !strings.Contains(text, `"Message"`) {
		return ""
	}
	var env struct {
		Type    string `json:"Type"`
		Message string `json:"Message"`
	}
	js := strings.NewReplacer("\r", "", "\n", "").Replace(text[i:])
	if err := json.NewDecoder(strings.NewReader(js)).Decode(&env); err != nil || env.Type != "Notification" {
		return ""
	}
	if m := strings.TrimSpace(env.Message); strings.HasPrefix(m, "{") {
		return m
	}
	return ""
}
