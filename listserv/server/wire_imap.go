package server

import (
	"crypto/tls"
	"fmt"
	"net"

	"github.com/demnet-uk/listserv/listserv/apppass"
	"github.com/demnet-uk/listserv/listserv/imapd"
	"github.com/demnet-uk/listserv/listserv/web"
)

// listenIMAP starts the read-only IMAP archive on --imap (STARTTLS when
// a certificate is configured) and --imaps (implicit TLS).
func (s *Server) listenIMAP() error {
	plain, implicit := on(s.cfg.IMAP), on(s.cfg.IMAPS)
	if !plain && !implicit {
		return nil
	}
	var tlsCfg *tls.Config
	if s.cfg.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(s.cfg.TLSCert, s.cfg.TLSKey)
		if err != nil {
			return fmt.Errorf("imap TLS certificate: %w", err)
		}
		tlsCfg = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	if implicit && tlsCfg == nil {
		return fmt.Errorf("--imaps %s needs --tls-cert and --tls-key", s.cfg.IMAPS)
	}
	log := s.log.With("part", "imap")
	s.imap = imapd.New(s.Store, apppass.New(s.Store, log), imapd.Config{TLS: tlsCfg, Log: log,
		// SEARCH BODY/TEXT through the web archive's full-text index.
		Text: imapd.IndexSearcher{St: s.Store, CatchUp: s.Archive.CatchUp}})
	if accepted := s.pipe.Accepted; accepted != nil {
		s.pipe.Accepted = func() { accepted(); s.imap.Wake() }
	} else {
		s.pipe.Accepted = s.imap.Wake
	}
	if plain {
		if err := s.serveIMAP("imap", s.cfg.IMAP, s.imap.Serve); err != nil {
			return err
		}
	}
	if implicit {
		return s.serveIMAP("imaps", s.cfg.IMAPS, s.imap.ServeTLS)
	}
	return nil
}

func (s *Server) serveIMAP(name, addr string, serve func(net.Listener) error) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s listener: %w", name, err)
	}
	s.addrs[name] = ln.Addr().String()
	go func() {
		if err := serve(ln); err != nil {
			s.log.Error("IMAP listener stopped", "listener", name, "err", err)
		}
	}()
	return nil
}

// closeIMAP stops the IMAP listeners and connections (nothing to finish:
// the archive is read-only and flags are written per command).
func (s *Server) closeIMAP() {
	if s.imap != nil {
		s.imap.Close()
	}
}

func on(addr string) bool { return addr != "" && addr != "off" }

// appPasswords is the engine /me/app-passwords acts through; nil (no
// page) when IMAP is off.
func (s *Server) appPasswords() web.AppPasswords {
	if !on(s.cfg.IMAP) && !on(s.cfg.IMAPS) {
		return nil
	}
	return apppass.New(s.Store, s.log.With("part", "apppass"))
}

// imapPublic is the IMAP address shown on the app-password page: the
// implicit-TLS one when there is one.
func (s *Server) imapPublic() string {
	if on(s.cfg.IMAPS) {
		return s.addrs["imaps"]
	}
	return s.addrs["imap"]
}
