package dev.auditflow.cli.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.cli.jar.JarApi;
import dev.auditflow.cli.jar.JarProcess;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.RedisServerProcess;
import dev.auditflow.server.testing.Superuser;
import dev.auditflow.server.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The web console served by the built jar, in a real headless Chromium: sign in, search and page
 * with the exact count, a correlation's trail with its chain verified — and flagged once a row is
 * changed in PostgreSQL — the live tail, role limits, sign-out, CSRF, and HTML/JS payloads in
 * event fields shown as text, never run. Each view's screenshot is left in
 * target/console-screenshots (docs/console/ holds copies).
 */
class JarConsoleIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static Path work;
  private static String db;
  private static JarProcess server;
  private static URI base;
  private static String admin;
  private static String reader;
  private static String auditor;
  private Browser browser;

  @BeforeAll
  static void serve() throws Exception {
    work = Files.createTempDirectory("auditflow-jar-console");
    db = TestDatabase.create();
    int port = RedisServerProcess.freePort();
    server = JarProcess.of(work, "serve", "--host", "127.0.0.1", "--port", Integer.toString(port),
        "--database-url", db).start();
    base = URI.create("http://127.0.0.1:" + port);
    server.awaitHttp200(base, "/health/ready", Duration.ofMinutes(2));
    admin = Files.readString(work.resolve("auditflow-data/admin.token")).trim();
    reader = token("console-reader", "reader");
    auditor = token("console-auditor", "auditor");
  }

  @AfterAll
  static void stop() throws Exception {
    server.terminate(Duration.ofSeconds(60));
    TestDatabase.drop(db);
  }

  @BeforeEach
  void openBrowser() {
    browser = new Browser();
  }

  @AfterEach
  void closeBrowser() {
    browser.close();
  }

  private static String token(String name, String role) throws Exception {
    JsonNode created = AuditEventJson.mapper().readTree(call("POST", "/api/v1/admin/tokens",
        "{\"name\":\"" + name + "\",\"roles\":[\"" + role + "\"]}").body());
    return created.get("token").asText();
  }

  private static HttpResponse<String> call(String method, String path, String json) throws Exception {
    return new JarApi(base, admin).call(method, path, json);
  }

  private static void store(List<ObjectNode> events) throws Exception {
    ArrayNode batch = AuditEventJson.mapper().createArrayNode();
    events.forEach(batch::add);
    HttpResponse<String> r = call("POST", "/api/v1/audit/events/batch", batch.toString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
  }

  private void signIn(String token) {
    browser.open(base + "/ui");
    browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
    browser.find("#token").sendKeys(token);
    browser.find("#signin-button").click();
    browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("search-form")));
  }

  private void search(String field, String value) {
    WebElement input = browser.find("#search-form [name=" + field + "]");
    input.clear();
    input.sendKeys(value);
    browser.find("#search-button").click();
  }

  private List<WebElement> rows() {
    return browser.driver().findElements(By.cssSelector("#results tbody tr.event-row"));
  }

  /**
   * Waits until the search shows exactly {@code total} events: "of 3" as text would also match the
   * "of 3 512" of the search run on sign-in, whose rows the test's own search then replaces.
   */
  private void awaitTotal(int total) {
    browser.await(ExpectedConditions.attributeToBe(By.id("search-count"), "data-total", Integer.toString(total)));
  }

  @Test
  void signInSearchAndPageWithTheExactCount() throws Exception {
    List<ObjectNode> events = new ArrayList<>();
    for (int i = 0; i < 250; i++) {
      ObjectNode e = EventJson.valid("console-page-" + (i % 5));
      e.put("event_category", "console-paging");
      events.add(e);
    }
    store(events);
    signIn(reader);
    assertThat(browser.find("#principal").getText()).startsWith("token:console-reader");

    search("event_category", "console-paging");
    browser.await(ExpectedConditions.textToBePresentInElementLocated(By.id("search-count"), "events 1–100 of 250"));
    assertThat(rows()).hasSize(100);
    browser.screenshot("search-paging");
    browser.find("#next-page").click();
    browser.await(ExpectedConditions.textToBePresentInElementLocated(By.id("search-count"), "events 101–200 of 250"));
    browser.find("#next-page").click();
    browser.await(ExpectedConditions.textToBePresentInElementLocated(By.id("search-count"), "events 201–250 of 250"));
    assertThat(rows()).hasSize(50);
    assertThat(browser.find("#next-page").isEnabled()).isFalse();
    assertThat(browser.find("#api-call").getText()).contains("/api/v1/audit/events?event_category=console-paging");
    assertThat(browser.find("#export-link").isDisplayed()).as("exports are for auditors").isFalse();
  }

  @Test
  void aTrailIsATimelineWithItsChainVerifiedAndATamperedRowFlagged() throws Exception {
    ObjectNode parent = EventJson.valid("console-trail");
    parent.put("event_type", "remediation.started");
    store(List.of(parent));
    ObjectNode child = EventJson.valid("console-trail", Instant.now().plusMillis(1500));
    child.put("event_type", "remediation.step");
    child.put("parent_event_id", parent.get("event_id").asText());
    ObjectNode last = EventJson.valid("console-trail", Instant.now().plusSeconds(3));
    last.put("event_type", "remediation.finished");
    store(List.of(child, last));

    signIn(reader);
    search("correlation_id", "console-trail");
    awaitTotal(3);
    browser.click("#results a.trail-link");
    browser.await(ExpectedConditions.textToBePresentInElementLocated(By.id("chain-status"), "Chain verified: 3 events"));
    List<WebElement> items = browser.driver().findElements(By.cssSelector("#timeline li.timeline-event"));
    assertThat(items).hasSize(3);
    WebElement nested = browser.find("#timeline li.timeline-event ol li.timeline-event");
    assertThat(nested.getAttribute("data-event-id")).isEqualTo(child.get("event_id").asText());
    assertThat(browser.find("#timeline .gap").getText()).startsWith("+");
    browser.find("#timeline .event-summary").click();
    assertThat(browser.find("#timeline pre.event-data").getText()).contains("\"event_data\"");
    browser.screenshot("trail");

    Superuser.tamper(db, "UPDATE audit_events SET event_type = 'forged' WHERE event_id = '"
        + child.get("event_id").asText() + "'");
    browser.find("#trail-button").click();
    browser.await(ExpectedConditions.textToBePresentInElementLocated(By.id("chain-status"), "Chain BROKEN at position 2"));
    assertThat(browser.find("#chain-status").getAttribute("class")).isEqualTo("bad");
    browser.screenshot("trail-tampered");
  }

  @Test
  void theLiveTailShowsNewEventsAndPauses() throws Exception {
    signIn(reader);
    browser.find("#nav button[data-view=tail]").click();
    ObjectNode fresh = EventJson.valid("console-tail");
    store(List.of(fresh));
    browser.await(ExpectedConditions.presenceOfElementLocated(
        By.cssSelector("#tail tr[data-event-id='" + fresh.get("event_id").asText() + "']")));
    browser.screenshot("tail");

    browser.find("#tail-toggle").click();
    assertThat(browser.find("#tail-state").getText()).isEqualTo("paused");
    ObjectNode whilePaused = EventJson.valid("console-tail");
    store(List.of(whilePaused));
    By pausedRow = By.cssSelector("#tail tr[data-event-id='" + whilePaused.get("event_id").asText() + "']");
    Thread.sleep(4_500); // two poll intervals: a paused tail must not have fetched it
    assertThat(browser.driver().findElements(pausedRow)).isEmpty();
    browser.find("#tail-toggle").click();
    browser.await(ExpectedConditions.presenceOfElementLocated(pausedRow));
  }

  @Test
  void rolesLimitWhatIsShownAndSigningOutEndsTheSession() {
    signIn(auditor);
    search("correlation_id", "nothing-here");
    browser.await(ExpectedConditions.textToBePresentInElementLocated(By.id("search-count"), "no events match"));
    assertThat(browser.find("#export-link").isDisplayed()).isTrue();
    assertThat(browser.find("#export-link").getAttribute("href")).contains("/api/v1/audit/export?format=ndjson");
    // The session cookie is HttpOnly: the page's script cannot read it.
    assertThat((String) browser.script("return document.cookie")).doesNotContain("auditflow_session");
    // A state-changing call without the CSRF token is refused; with the session's token it passes.
    assertThat(browser.asyncScript("fetch('/api/v1/audit/verify', {method: 'POST', credentials: 'same-origin',"
        + " headers: {'Content-Type': 'application/json'}, body: '{\"correlation_id\":\"x\"}'})"
        + ".then(r => done(r.status));")).isEqualTo(403L);
    assertThat(browser.asyncScript("fetch('/ui/session', {credentials: 'same-origin'}).then(r => r.json())"
        + ".then(s => fetch('/api/v1/audit/verify', {method: 'POST', credentials: 'same-origin',"
        + " headers: {'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token},"
        + " body: '{\"correlation_id\":\"x\"}'})).then(r => done(r.status));")).isNotEqualTo(403L);

    browser.find("#signout").click();
    browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
    assertThat(browser.asyncScript("fetch('/api/v1/audit/events', {credentials: 'same-origin'})"
        + ".then(r => done(r.status));")).isEqualTo(401L);
  }

  @Test
  void htmlAndScriptInEventFieldsAreShownAsTextAndNeverRun() throws Exception {
    String[] payloads = {"<img src=x onerror=\"window.__xss=1\">", "<script>window.__xss=2</script>",
        "\"><svg onload=window.__xss=3>", "javascript:window.__xss=4"};
    List<ObjectNode> events = new ArrayList<>();
    for (String payload : payloads) {
      ObjectNode e = EventJson.valid("console-xss");
      e.put("actor_id", payload);
      e.put("resource_type", payload);
      e.put("event_category", "console-xss");
      ((ObjectNode) e.get("event_data")).put("note", payload);
      events.add(e);
    }
    store(events);
    signIn(reader);
    search("event_category", "console-xss");
    awaitTotal(4);
    assertThat(browser.find("#results").getText()).contains(payloads[0]).contains(payloads[1]);
    browser.click("#results a.trail-link");
    browser.await(ExpectedConditions.textToBePresentInElementLocated(By.id("chain-status"), "Chain verified"));
    browser.driver().findElements(By.cssSelector("#timeline .event-summary")).forEach(WebElement::click);
    assertThat(browser.find("#timeline").getText()).contains(payloads[2]);
    browser.find("#nav button[data-view=tail]").click();
    browser.await(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#tail tr.tail-row")));
    assertThat(browser.script("return window.__xss === undefined")).isEqualTo(true);
    assertThat(browser.driver().findElements(By.cssSelector(
        "#results img, #timeline img, #tail img, #results svg, #timeline svg, #tail svg"))).isEmpty();
  }

  @Test
  void theCompletenessViewShowsEachProducersNumbersAndNamesItsGapsWithTheirNeighbours() throws Exception {
    java.util.UUID epoch = dev.auditflow.api.UuidV7.generate();
    List<ObjectNode> numbered = new java.util.ArrayList<>();
    for (long seq : new long[] {1, 2, 4, 20}) {
      ObjectNode event = EventJson.valid("console-completeness");
      event.put("producer_id", "console-shop@host").put("producer_epoch", epoch.toString()).put("producer_seq", seq);
      numbered.add(event);
    }
    store(numbered);
    signIn(reader);
    browser.find("#nav button[data-view=completeness]").click();
    String row = "#producers tr.epoch[data-epoch='" + epoch + "']";
    browser.await(ExpectedConditions.presenceOfElementLocated(By.cssSelector(row)));
    assertThat(browser.find(row).getAttribute("data-missing")).isEqualTo("16");
    assertThat(browser.find(row).getText()).contains("console-shop@host").contains("open");
    assertThat(browser.find("#producers").getText()).contains("numbers 3–3 (1) missing since")
        .contains("numbers 5–19 (15) missing since");
    assertThat(browser.find("#completeness-summary").getText()).contains("numbers are missing");
    assertThat(browser.driver().findElements(By.cssSelector(row + " svg.account-bar rect"))).as("stored and missing")
        .hasSize(2);
    browser.screenshot("completeness");

    // A gap is a link to the events numbered around it: 1, 2 and 4 of numbers 1..8, not 20.
    browser.find("#producers a.gap-item").click();
    browser.await(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#results tbody tr.event-row"), 3));
    assertThat(browser.find("#search-form input[name=producer_epoch]").getAttribute("value")).isEqualTo(epoch.toString());
    assertThat(browser.find("#search-form input[name=producer_seq_to]").getAttribute("value")).isEqualTo("8");
  }

  @Test
  void theHealthViewShowsTheServersNumbers() throws Exception {
    signIn(reader);
    browser.find("#nav button[data-view=health]").click();
    browser.await(ExpectedConditions.textToBePresentInElementLocated(By.id("health-log"), "leaves signed"));
    store(List.of(EventJson.valid("console-health")));
    browser.await(ExpectedConditions.textToBePresentInElementLocated(By.id("health-rate"), "events/s"));
    assertThat(browser.find("#health-dlq").getText()).isEqualTo("not configured");
    assertThat(browser.find("#health-created").getText()).contains("stored");
    browser.screenshot("health");
  }

  @Test
  void thePageAllowsNoInlineScriptAndNothingFromElsewhere() throws Exception {
    HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(base.resolve("/ui")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
    assertThat(csp).contains("script-src 'self'").contains("default-src 'none'").doesNotContain("unsafe-inline");
    assertThat(page.body()).doesNotContain("http://").doesNotContain("https://").doesNotContain("<script>");
    browser.open(base + "/ui");
    browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
    browser.screenshot("sign-in");
  }

  /**
   * The first hour, as a new user met it: the search ran only once clicked, the first rows were
   * the console's own reads, failures looked like successes, times were UTC microseconds, no view
   * had an address, and nothing said where a token comes from. Now: results and a histogram of
   * events by outcome on sign-in, the server's own records hidden behind a visible toggle, failure
   * rows marked, local times (the stored value on hover), every view in the URL.
   */
  @Test
  void theFirstScreenShowsWhatMatters() throws Exception {
    List<ObjectNode> events = new ArrayList<>();
    Instant start = Instant.now().minusSeconds(3_000);
    for (int i = 0; i < 30; i++) {
      ObjectNode e = EventJson.valid("first-hour-" + (i % 3), start.plusSeconds(i * 100L));
      e.put("event_category", "first-hour");
      e.put("event_outcome", i % 5 == 0 ? "failure" : "success");
      events.add(e);
    }
    store(events);
    signIn(reader);
    assertThat(browser.find("#signin").isDisplayed()).isFalse();
    // No click: the newest events are there, and the histogram above them.
    browser.await(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#results tbody tr.event-row")));
    browser.await(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#histogram svg rect.bar")));
    assertThat(browser.driver().findElements(By.cssSelector("#results td:nth-child(3)")))
        .as("the console's own reads are not what a user came for").extracting(WebElement::getText)
        .doesNotContain("auditflow");
    long shown = Long.parseLong(browser.find("#search-count").getAttribute("data-total"));
    assertThat(Long.parseLong(browser.find("#histogram svg").getAttribute("data-total"))).isEqualTo(shown);

    search("event_category", "first-hour");
    awaitTotal(30);
    assertThat(browser.driver().findElements(By.cssSelector("#results tr.outcome-failure"))).hasSize(6);
    assertThat(browser.driver().findElements(By.cssSelector("#histogram rect.bar-failure"))).hasSize(6);
    WebElement time = browser.find("#results td.time");
    assertThat(time.getAttribute("title")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z");
    assertThat(time.getText()).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} [+-]\\d\\d:\\d\\d");
    browser.screenshot("search");
    // The search is in the address: reloading it shows the same.
    String address = browser.driver().getCurrentUrl();
    assertThat(address).contains("#search?").contains("event_category=first-hour");
    browser.open(address);
    awaitTotal(30);
    assertThat(browser.find("#search-form [name=event_category]").getAttribute("value")).isEqualTo("first-hour");

    // The server's own records, on request.
    search("event_category", "");
    browser.await(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#results tbody tr.event-row")));
    browser.find("#show-own").click();
    browser.find("#search-button").click();
    browser.await(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#results"), "auditflow"));
    assertThat(browser.driver().getCurrentUrl()).contains("own=shown");

    // A trail has an address of its own.
    browser.open(base + "/ui#trail/first-hour-1");
    browser.await(ExpectedConditions.textToBePresentInElementLocated(By.id("chain-status"), "Chain verified: 10 events"));
    assertThat(browser.find("#trail-correlation").getAttribute("value")).isEqualTo("first-hour-1");

    // The live tail says which filters it applies.
    browser.open(base + "/ui#search?event_category=first-hour");
    awaitTotal(30);
    browser.find("#nav button[data-view=tail]").click();
    browser.await(ExpectedConditions.textToBePresentInElementLocated(By.id("tail-filters"), "event_category=first-hour"));
    assertThat(browser.driver().getCurrentUrl()).endsWith("#tail");
  }

  @Test
  void theSignInPageSaysWhereTheFirstTokenIsAndTheRootLeadsThere() throws Exception {
    HttpResponse<String> root = HTTP.send(HttpRequest.newBuilder(base.resolve("/")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(root.statusCode()).isEqualTo(302);
    assertThat(root.headers().firstValue("Location")).hasValue("/ui");
    browser.open(base + "/");
    browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
    assertThat(browser.find("#signin").getText()).contains("auditflow-data/admin.token");
    assertThat(server.output()).contains("web console at http://127.0.0.1:" + base.getPort() + "/ui");
  }
}
