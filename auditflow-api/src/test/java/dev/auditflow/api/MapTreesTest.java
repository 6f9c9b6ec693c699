package dev.auditflow.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class MapTreesTest {
  @Test
  void givesTheTreeJacksonsValueToTreeGives() {
    Map<String, Object> nested = new LinkedHashMap<>();
    nested.put("null", null);
    nested.put("list", Arrays.asList(1, "two", null, List.of(true, 3L), Map.of("k", "v")));
    nested.put("decimal", new BigDecimal("1.50"));
    nested.put("double", 0.1);
    nested.put("float", 2.5f);
    nested.put("short", (short) 7);
    nested.put("byte", (byte) 8);
    nested.put("big", new BigInteger("123456789012345678901234567890"));
    nested.put("chars", new char[] {'a', 'b'});
    nested.put("ints", new int[] {1, 2});
    nested.put("set", new java.util.TreeSet<>(List.of("a", "b")));
    nested.put("numberKeys", new TreeMap<>(Map.of(1, "one", 2, "two")));
    Map<String, Object> data = new HashMap<>();
    data.put("text", "héllo \u2603 \"quoted\"");
    data.put("int", 42);
    data.put("long", Long.MAX_VALUE);
    data.put("bool", false);
    data.put("nested", nested);
    data.put("empty", Map.of());
    data.put("emptyList", new ArrayList<>());

    assertThat(MapTrees.treeOf(data)).isEqualTo(AuditEventJson.mapper().valueToTree(data));
    // the same node types, values and field order, not merely equal content
    assertThat(MapTrees.treeOf(data).toString()).isEqualTo(AuditEventJson.mapper().valueToTree(data).toString());
  }

  @Test
  void aMapThatContainsItselfFailsAsItDoesInJackson() {
    Map<String, Object> cyclic = new HashMap<>();
    cyclic.put("self", cyclic);

    Throwable jackson = catchThrowable(() -> AuditEventJson.mapper().valueToTree(cyclic));

    assertThat(jackson).isNotNull();
    assertThatThrownBy(() -> MapTrees.treeOf(cyclic)).isExactlyInstanceOf(jackson.getClass());
  }
}
