// Command listserv is the mailing-list server and its operator interface.
// Every admin command opens the store directly, so it works whether or not
// `listserv serve` is running.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/demnet-uk/listserv/listserv/admin"
	"github.com/demnet-uk/listserv/listserv/store/sqldb"
)

const usage = `listserv: mailing lists and newsletters

Usage:
  listserv serve [flags]                     run SMTP/LMTP intake, delivery and the web UI
  listserv migrate                           apply database migrations and exit
  listserv list create ADDRESS [--name T] [--description T] [--policy P] [--archive A] [--subject-prefix T] [--reply-to list|author]
  listserv list ls [--json]
  listserv list set ADDRESS --KEY VALUE...
  listserv list rm ADDRESS [--yes] [--purge]            without --yes: say what would go, remove nothing (exit 2)
  listserv member add LIST ADDRESS... [--role member|moderator|owner] [--mode each|digest|nomail]
  listserv member set LIST ADDRESS [--role R] [--mode M] [--name T]
  listserv member rm LIST ADDRESS...
  listserv member enable LIST ADDRESS...               turn delivery back on after bounces disabled it
  listserv member ls LIST [--json]
  listserv member import LIST FILE.csv [--invite]      (--invite mails invitations instead of adding)
  listserv member export LIST                          CSV (address,name,mode) on stdout
  listserv held ls [LIST] [--json]
  listserv held approve ID
  listserv held reject ID [--reason TEXT]
  listserv held discard ID
  listserv moderation set LIST [--new-member-posts N] [--max-recipients N] [--accept-types T] [--hold-days N]
  listserv sender add|ls|rm LIST [PATTERN] [--action accept|hold|reject|discard] [--json]
  listserv digest send LIST [--now]                     queue due digests (--now: every pending one)
  listserv digest preview LIST [--member ADDRESS] [--format plain|mime|html|summary]
                                                        (a newsletter: its next issue, --format text|html)
  listserv newsletter create ADDRESS [--name TEXT] [--schedule "Mon 08:00 Europe/London"]
  listserv newsletter link LIST NEWSLETTER               propose LIST's #event/#research/#ask/#offer posts to NEWSLETTER
  listserv item add NEWSLETTER --kind event|research|ask|offer --title TEXT [--url URL] [--summary TEXT]
                [--starts RFC3339 --ends RFC3339] [--location TEXT] [--closes DATE] [--by TEXT]   (approved; prints the id)
  listserv item ls NEWSLETTER [--json]
  listserv item withdraw ID
  listserv backup FILE                                  consistent copy of the SQLite store, while serve runs
  listserv restore FILE                                 put a backup in place (refused while serve runs)
  listserv app-password ADDRESS [--name N]             print a new IMAP app password (shown once)
  listserv app-password ls|rm ADDRESS [ID] [--json]     list or revoke app passwords
  listserv dkim keygen DOMAIN [--selector S] [--algorithm rsa|ed25519]   store a signing key, print its DNS TXT record
  listserv dkim ls DOMAIN                               a domain's keys and their records
  listserv deliverability LIST [--dmarc munge|wrap|none] [--dmarc-always on|off] [--remove-after-warnings on|off]
  listserv doctor [DOMAIN] [--dns HOST:PORT] [--relay URL] [--sending-ip IP]   check MX, SPF, DKIM, DMARC, relay, reverse DNS (exit 2: problems)
  listserv admin add|rm ADDRESS... / admin ls [--json] site administrators (create lists on the web)
  listserv login-link ADDRESS [--base-url URL] [--next PATH]   print a one-time sign-in URL (15 minutes)

Every command takes --data DIR (LISTSERV_DATA) and --db URL (LISTSERV_DB),
before or after the command. Only serve and migrate create a new store.
Exit status: 0 done, 2 bad arguments or no such store/list, 1 anything else.
Run "listserv COMMAND -h" for a command's flags.
`

// errUsage: wrong arguments; exit status 2 like flag's own errors.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err == nil {
		return
	}
	if !errors.Is(err, errUsage) || err.Error() != errUsage.Error() {
		fmt.Fprintln(os.Stderr, "listserv:", human(err))
	}
	os.Exit(exitCode(err))
}

// exitCode is 2 for anything the operator can fix by typing something
// else (arguments, addresses, where the store is), 1 for the rest.
func exitCode(err error) int {
	for _, e := range []error{errUsage, admin.ErrInvalid, sqldb.ErrBadURL, sqldb.ErrNoDatabase, errProblems} {
		if errors.Is(err, e) {
			return 2
		}
	}
	return 1
}

// human is err's text without the package prefixes that help a
// developer and confuse an operator ("store: get list: ...").
func human(err error) string {
	msg := err.Error()
	for _, p := range []string{"store: ", "sqldb: "} {
		msg = strings.ReplaceAll(msg, p, "")
	}
	return msg
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	global, args, err := leadingFlags(args)
	if err != nil {
		fmt.Fprint(stderr, usage)
		return err
	}
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("%w: no command after %s", errUsage, strings.Join(global, " "))
	}
	// Every command's flags may come anywhere, so the global ones given
	// before the command go after it.
	cmd, rest := args[0], append(args[1:len(args):len(args)], global...)
	switch cmd {
	case "serve":
		return serve(ctx, rest, stderr)
	case "migrate":
		return migrate(ctx, rest, stdout)
	case "list":
		return listCmd(ctx, rest, stdout)
	case "member":
		return memberCmd(ctx, rest, stdout)
	case "held":
		return heldCmd(ctx, rest, stdout)
	case "backup":
		return backup(ctx, rest, stdout)
	case "restore":
		return restore(ctx, rest, stdout)
	case "login-link":
		return loginLink(ctx, rest, stdout)
	case "digest":
		return digestCmd(ctx, rest, stdout)
	case "newsletter":
		return newsletterCmd(ctx, rest, stdout)
	case "item":
		return itemCmd(ctx, rest, stdout)
	case "moderation", "sender":
		return moderationCmd(ctx, cmd, rest, stdout)
	case "app-password":
		return appPasswordCmd(ctx, rest, stdout, stderr)
	case "dkim":
		return dkimCmd(ctx, rest, stdout)
	case "deliverability":
		return deliverabilityCmd(ctx, rest, stdout)
	case "doctor":
		return doctorCmd(ctx, rest, stdout)
	case "admin":
		return adminCmd(ctx, rest, stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("%w: unknown command %q", errUsage, cmd)
}

// leadingFlags takes --data and --db (with their values) from before the
// command, as in "listserv --db URL list ls".
func leadingFlags(args []string) (global, rest []string, err error) {
	for len(args) > 0 && strings.HasPrefix(args[0], "-") && len(args[0]) > 1 {
		name, _, hasValue := strings.Cut(strings.TrimLeft(args[0], "-"), "=")
		switch {
		case name == "h" || name == "help":
			return global, args, nil
		case name != "data" && name != "db":
			return nil, nil, fmt.Errorf("%w: %s before the command: only --data and --db may come first", errUsage, args[0])
		case hasValue:
			global, args = append(global, args[0]), args[1:]
		case len(args) < 2:
			return nil, nil, fmt.Errorf("%w: %s needs a value", errUsage, args[0])
		default:
			global, args = append(global, args[0], args[1]), args[2:]
		}
	}
	return global, args, nil
}

func sub(args []string, name string) (string, []string, error) {
	if len(args) == 0 {
		return "", nil, fmt.Errorf("%w: %s needs a subcommand", errUsage, name)
	}
	return args[0], args[1:], nil
}
