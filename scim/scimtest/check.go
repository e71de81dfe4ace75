package scimtest

import "testing"

// Check runs the whole scripted sync of Entra ID ([Entra.Sync]), Okta
// ([Okta.Sync]) and OneLogin ([OneLogin.Sync]) against the SCIM base URL
// and token, each as a subtest ("Entra", "Okta", "OneLogin"), so that one
// line asserts that the three IdPs work against a server. The subtests
// run one after the other; each provisions people of its own, with random
// names, so Check can run again against the same store. It reads the
// options [WithProfile], [WithHTTPClient] and [WithGroupProvisioning].
func Check(t *testing.T, baseURL, token string, opts ...Option) {
	t.Helper()
	if _, err := configure("Check", false, opts); err != nil {
		t.Fatal(err)
	}
	t.Run("Entra", func(t *testing.T) { NewEntra(t, baseURL, token, opts...).Sync() })
	t.Run("Okta", func(t *testing.T) { NewOkta(t, baseURL, token, opts...).Sync() })
	t.Run("OneLogin", func(t *testing.T) { NewOneLogin(t, baseURL, token, opts...).Sync() })
}
