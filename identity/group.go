package identity

import (
	"context"
	"fmt"
	"strings"

	"github.com/scimkit/scimkit/store"
)

// maxGroupPathLen bounds a group path.
const maxGroupPathLen = 255

// GroupSpec describes a group (tenant) to create.
type GroupSpec struct {
	// ID is the group's key; empty means a generated one.
	ID string
	// Path is the group's URL path, unique case-insensitively. Required.
	Path string
	// Name is the display name; empty means Path.
	Name string
	// DefaultRole is the role of members added by provisioning; zero means
	// store.RoleGuest.
	DefaultRole store.Role
	// EnforceSSO refuses to add members without a SAML identity linked to
	// the group.
	EnforceSSO bool
	// Token, when set, is used as the group's SCIM token instead of a
	// generated one (for a host that reads it from its configuration). It
	// must have 16 to 512 printable ASCII characters.
	Token string
}

// CreateGroup stores a new group with a SCIM token and returns it with the
// token in clear, the only time it is available: show it once, never log
// it. A path or ID already taken is a KindConflict error. Event:
// EventGroupCreated.
func (p *Provisioner) CreateGroup(ctx context.Context, spec GroupSpec) (*store.Group, Token, error) {
	if strings.TrimSpace(spec.Path) == "" {
		return nil, "", invalidf("path", "can't be blank")
	}
	if err := checkText("path", spec.Path, maxGroupPathLen); err != nil {
		return nil, "", err
	}
	if err := checkText("name", spec.Name, maxNameLen); err != nil {
		return nil, "", err
	}
	tok, digest, err := p.token(spec.Token)
	if err != nil {
		return nil, "", err
	}
	id := spec.ID
	if id == "" {
		if id, err = p.c.newID(); err != nil {
			return nil, "", fmt.Errorf("identity: new group id: %w", err)
		}
	}
	role := spec.DefaultRole
	if role == store.RoleNone {
		role = store.RoleGuest
	}
	g := &store.Group{ID: id, Path: spec.Path, Name: spec.Name, TokenDigest: digest, DefaultRole: role, EnforceSSO: spec.EnforceSSO}
	_, err = p.c.update(ctx, p.st, func(ctx context.Context, tx store.Tx, o *op) error {
		if _, taken, err := optional(tx.GroupByPath(ctx, g.Path)); err != nil {
			return err
		} else if taken {
			return conflict("path", "Path has already been taken")
		}
		if _, taken, err := optional(tx.Group(ctx, g.ID)); err != nil {
			return err
		} else if taken {
			return conflict("id", "ID has already been taken")
		}
		g.Version = 0
		if err := tx.PutGroup(ctx, g); err != nil {
			return err
		}
		o.emit(Event{Type: EventGroupCreated, GroupID: g.ID, Detail: map[string]string{"path": g.Path}})
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	return g.Clone(), tok, nil
}

// RotateToken gives group groupID a new SCIM token and returns it in clear;
// the old token stops working at once (one token per group). token, when
// not empty, is used instead of a generated one (16 to 512 printable ASCII
// characters). Event: EventTokenRotated.
func (p *Provisioner) RotateToken(ctx context.Context, groupID string, token string) (Token, error) {
	tok, digest, err := p.token(token)
	if err != nil {
		return "", err
	}
	_, err = p.c.update(ctx, p.st, func(ctx context.Context, tx store.Tx, o *op) error {
		g, err := loadGroup(ctx, tx, groupID)
		if err != nil {
			return err
		}
		g.TokenDigest = digest
		if err := tx.PutGroup(ctx, g); err != nil {
			return err
		}
		o.emit(Event{Type: EventTokenRotated, GroupID: g.ID})
		return nil
	})
	if err != nil {
		return "", err
	}
	return tok, nil
}

func (p *Provisioner) token(host string) (Token, []byte, error) {
	if host != "" {
		if err := checkHostToken(host); err != nil {
			return "", nil, err
		}
		return Token(host), TokenDigest(host), nil
	}
	return NewToken(p.c.rand)
}

// Authenticate returns the group at groupPath if token is its SCIM token.
// An unknown group, a group without a token and a wrong token (including
// another group's) all give the same KindUnauthorized error, and the token
// is hashed in every case, so the answer discloses neither which groups
// exist nor anything about the token.
func (p *Provisioner) Authenticate(ctx context.Context, groupPath, token string) (*store.Group, error) {
	var g *store.Group
	err := p.c.view(ctx, p.st, func(ctx context.Context, tx store.Tx) error {
		var err error
		var ok bool
		if len(groupPath) <= maxGroupPathLen {
			g, ok, err = optional(tx.GroupByPath(ctx, groupPath))
		}
		if err != nil {
			return err
		}
		// An all-zero digest, which no token hashes to, stands in for a
		// missing group or token so that the work done is the same.
		digest := make([]byte, 32)
		if ok && len(g.TokenDigest) == len(digest) {
			digest = g.TokenDigest
		}
		if !VerifyToken(token, digest) {
			g = nil
			return &Error{Kind: KindUnauthorized, Detail: "invalid SCIM token"}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}
