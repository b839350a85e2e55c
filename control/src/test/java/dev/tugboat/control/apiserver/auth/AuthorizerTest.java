package dev.tugboat.control.apiserver.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tugboat.control.apiserver.UserInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuthorizerTest {

  private final Authorizer authorizer = new Authorizer();
  private final UserInfo admin = new UserInfo("admin", List.of("system:masters", "system:authenticated"));
  private final UserInfo viewer = new UserInfo("x", List.of("system:authenticated"));

  @Test
  void systemMastersMayDoEverything() {
    for (String verb : List.of("get", "list", "watch", "create", "update", "patch", "delete", "deletecollection")) {
      assertThat(authorizer.allows(admin, verb)).as(verb).isTrue();
    }
  }

  @Test
  void everyoneElseMayOnlyRead() {
    assertThat(List.of("get", "list", "watch")).allMatch(verb -> authorizer.allows(viewer, verb));
    assertThat(List.of("create", "update", "patch", "delete", "deletecollection"))
        .noneMatch(verb -> authorizer.allows(viewer, verb));
  }

  @Test
  void forbiddenMessagesAreKubeApiserversWords() {
    assertThat(Authorizer.forbiddenMessage(viewer, "create", "", "pods", null, "default", null))
        .isEqualTo("pods is forbidden: User \"x\" cannot create resource \"pods\" in API group \"\" in the namespace \"default\"");
    assertThat(Authorizer.forbiddenMessage(viewer, "update", "apps", "deployments", "scale", "prod", "web"))
        .isEqualTo("deployments.apps \"web\" is forbidden: User \"x\" cannot update resource \"deployments/scale\" "
            + "in API group \"apps\" in the namespace \"prod\"");
    assertThat(Authorizer.forbiddenMessage(viewer, "delete", "", "nodes", null, null, "n1"))
        .isEqualTo("nodes \"n1\" is forbidden: User \"x\" cannot delete resource \"nodes\" in API group \"\" at the cluster scope");
  }
}
