package server

import "context"

// background runs f with a context that ends with the rest of the
// background work: its cancel is chained onto cancelBg, which Shutdown and
// abort call before waiting on bg.
func (s *Server) background(f func(ctx context.Context)) {
	ctx, cancel := context.WithCancel(context.Background())
	prev := s.cancelBg
	s.cancelBg = func() {
		cancel()
		if prev != nil {
			prev()
		}
	}
	s.goBg(func() { f(ctx) })
}

// lead runs fn on one node at a time, under the named leadership, until
// shutdown.
func (s *Server) lead(name string, fn func(ctx context.Context)) {
	node := s.cfg.Delivery.Node
	if node == "" {
		node = nodeName()
	}
	s.background(func(ctx context.Context) { s.Store.Lead(ctx, name, node, fn) })
}
