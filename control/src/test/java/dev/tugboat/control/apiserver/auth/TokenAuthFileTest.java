package dev.tugboat.control.apiserver.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tugboat.control.apiserver.UserInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TokenAuthFileTest {

  @Test
  void readsKubernetesCsvWithQuotedGroups() {
    Map<String, UserInfo> users = TokenAuthFile.parse("""
        # comment
        t1,alice,1001,"system:masters,devs"

        t2,bob,1002
        t3,carol,1003,ops
        """, "tokens.csv");
    assertThat(users).containsEntry("t1", new UserInfo("alice", List.of("system:masters", "devs", "system:authenticated")))
        .containsEntry("t2", new UserInfo("bob", List.of("system:authenticated")))
        .containsEntry("t3", new UserInfo("carol", List.of("ops", "system:authenticated")));
  }

  @Test
  void errorsNameTheFileAndLine() {
    assertThatThrownBy(() -> TokenAuthFile.parse("t1,alice,1\nt2,bob\n", "/etc/tokens.csv"))
        .hasMessage("/etc/tokens.csv line 2: want token,user,uid[,groups], got 2 fields");
    assertThatThrownBy(() -> TokenAuthFile.parse("t1,alice,1,\"a,b\n", "f"))
        .hasMessage("f line 1: unterminated quote");
    assertThatThrownBy(() -> TokenAuthFile.parse("t1,alice,1\nt1,bob,2\n", "f"))
        .hasMessage("f line 2: token of user bob appears twice");
  }
}
