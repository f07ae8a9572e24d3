// Generates go-golden.json: what github.com/distribution/reference v0.6.0 (with go-digest v1.0.0)
// answers for the inputs in go-golden-inputs.json. golden.test.ts holds slimguard to the same answers.
// Not part of the build; to regenerate:
//
//	mkdir /tmp/golden && cp generate-go-golden.go /tmp/golden/main.go && cd /tmp/golden &&
//	go mod init golden && go get github.com/distribution/reference@v0.6.0 &&
//	go run . < $OLDPWD/go-golden-inputs.json > $OLDPWD/go-golden.json
package main

import (
	_ "crypto/sha256"
	_ "crypto/sha512"
	"encoding/json"
	"errors"
	"os"
	"strings"

	"github.com/distribution/reference"
	"github.com/opencontainers/go-digest"
)

type result struct {
	Error    string `json:"error,omitempty"`
	String   string `json:"string,omitempty"`
	Domain   string `json:"domain,omitempty"`
	Path     string `json:"path,omitempty"`
	Tag      string `json:"tag,omitempty"`
	Digest   string `json:"digest,omitempty"`
	Familiar string `json:"familiar,omitempty"`
}

type golden struct {
	Input string `json:"input"`
	// Parse (slimguard: parseRaw) and ParseNormalizedNamed (slimguard: parseReference).
	Parse                result `json:"parse"`
	ParseNormalizedNamed result `json:"parseNormalizedNamed"`
}

// code maps Go's errors to slimguard's InvalidReferenceError codes.
func code(err error) string {
	switch {
	case errors.Is(err, reference.ErrReferenceInvalidFormat):
		return "REFERENCE_INVALID_FORMAT"
	case errors.Is(err, reference.ErrNameContainsUppercase):
		return "NAME_CONTAINS_UPPERCASE"
	case errors.Is(err, reference.ErrNameEmpty):
		return "NAME_EMPTY"
	case errors.Is(err, reference.ErrNameTooLong):
		return "NAME_TOO_LONG"
	case errors.Is(err, digest.ErrDigestInvalidFormat):
		return "DIGEST_INVALID_FORMAT"
	case errors.Is(err, digest.ErrDigestInvalidLength):
		return "DIGEST_INVALID_LENGTH"
	case errors.Is(err, digest.ErrDigestUnsupported):
		return "DIGEST_UNSUPPORTED"
	case strings.HasSuffix(err.Error(), "cannot specify 64-byte hexadecimal strings"):
		return "NAME_IS_IDENTIFIER"
	case strings.HasSuffix(err.Error(), "must be lowercase"):
		return "NAME_CONTAINS_UPPERCASE"
	}
	panic("unmapped error: " + err.Error())
}

func describe(ref reference.Reference, err error) result {
	if err != nil {
		return result{Error: code(err)}
	}
	r := result{String: ref.String()}
	if named, ok := ref.(reference.Named); ok {
		r.Domain = reference.Domain(named)
		r.Path = reference.Path(named)
		r.Familiar = reference.FamiliarString(named)
	}
	if tagged, ok := ref.(reference.Tagged); ok {
		r.Tag = tagged.Tag()
	}
	if digested, ok := ref.(reference.Digested); ok {
		r.Digest = digested.Digest().String()
	}
	return r
}

func main() {
	var inputs []string
	if err := json.NewDecoder(os.Stdin).Decode(&inputs); err != nil {
		panic(err)
	}
	out := make([]golden, 0, len(inputs))
	for _, input := range inputs {
		g := golden{Input: input, Parse: describe(reference.Parse(input))}
		if named, err := reference.ParseNormalizedNamed(input); err != nil {
			g.ParseNormalizedNamed = describe(nil, err)
		} else {
			g.ParseNormalizedNamed = describe(named, nil)
		}
		out = append(out, g)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		panic(err)
	}
}
