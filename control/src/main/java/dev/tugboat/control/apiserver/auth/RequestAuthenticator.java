package dev.tugboat.control.apiserver.auth;

import dev.tugboat.control.apiserver.UserInfo;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Map;

/**
 * Who sent a request: the client certificate if the cluster CA issued it, else the bearer token if the token file
 * names it, else nobody (the transport answers 401). Anonymous access is off, as with
 * {@code --anonymous-auth=false}.
 */
public final class RequestAuthenticator {

  public static final String AUTHENTICATED_GROUP = "system:authenticated";
  private static final String BEARER = "bearer ";

  private final ClientCertificateAuthenticator certificates;
  private final Map<String, UserInfo> tokens;

  public RequestAuthenticator(ClientCertificateAuthenticator certificates, Map<String, UserInfo> tokens) {
    this.certificates = certificates;
    this.tokens = Map.copyOf(tokens);
  }

  /** The user, or null when neither credential is valid. */
  public UserInfo authenticate(X509Certificate clientCertificate, String authorizationHeader) {
    if (clientCertificate != null) {
      UserInfo user = certificates.authenticate(clientCertificate);
      if (user != null) {
        return user;
      }
    }
    if (authorizationHeader != null && authorizationHeader.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return userOfToken(authorizationHeader.substring(BEARER.length()).strip());
    }
    return null;
  }

  private UserInfo userOfToken(String token) {
    // Compare every known token in constant time so that response timing does not reveal a token's prefix.
    byte[] presented = token.getBytes(StandardCharsets.UTF_8);
    UserInfo found = null;
    for (Map.Entry<String, UserInfo> entry : tokens.entrySet()) {
      if (MessageDigest.isEqual(presented, entry.getKey().getBytes(StandardCharsets.UTF_8))) {
        found = entry.getValue();
      }
    }
    return found;
  }
}
