package digest

import "testing"

func TestHTMLToText(t *testing.T) {
	tests := []struct{ in, want string }{
		{`<p>Hello <b>there</b>.</p><p>Second   para.</p>`, "Hello there.\n\nSecond para."},
		{`<h2>Agenda</h2><ol><li>One</li><li>Two</li></ol>`, "Agenda\n\n1. One\n2. Two"},
		{`<ul><li>a</li><li>b</li></ul>`, "* a\n* b"},
		{`<p>See <a href="https://x.org/42">the thread</a>.</p>`, "See the thread <https://x.org/42>."},
		{`<a href="javascript:alert(1)">click</a>`, "click"},
		{`<blockquote><p>Quoted one.</p><p>Quoted two.</p></blockquote><p>Reply.</p>`, "> Quoted one.\n\n> Quoted two.\n\nReply."},
		{`<style>p{color:red}</style><script>x()</script><p>Only this</p>`, "Only this"},
		{`line<br>break`, "line\nbreak"},
		{`<pre>  code
  more</pre>`, "code\n  more"},
	}
	for _, tc := range tests {
		if got := HTMLToText(tc.in); got != tc.want {
			t.Errorf("HTMLToText(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}
