package dev.auditflow.bench;

import java.io.File;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console's search view on a store of a million events (QueryData's fleet-shaped trail, on a
 * durable embedded PostgreSQL), in Debian's headless Chromium: from the click on Search to the
 * 100 rows and the exact count on screen — the page's two requests (the page and the count, each
 * audited), JSON parsing and rendering included. Per filter, after 5 warm-up searches.
 *
 * <pre>java -cp auditflow-bench/target/benchmarks.jar dev.auditflow.bench.ConsoleTiming [rows] [samples]</pre>
 */
public final class ConsoleTiming {
  private static final Instant LOADED_AT = Instant.now();

  enum Filter {
    NONE("since", r -> ""),
    LAST_HOUR("since", r -> "1h"),
    CATEGORY("event_category", r -> QueryData.CATEGORIES[r.nextInt(QueryData.CATEGORIES.length)]),
    TYPE("event_type", r -> QueryData.type(r.nextInt(QueryData.TYPES))),
    ACTOR("actor_id", r -> QueryData.actor(r.nextInt(QueryData.ACTORS)));

    final String field;
    final Function<Random, String> value;

    Filter(String field, Function<Random, String> value) {
      this.field = field;
      this.value = value;
    }
  }

  public static void main(String[] args) throws Exception {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int samples = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    try (BenchServer server = new BenchServer(4)) {
      long start = System.nanoTime();
      QueryData.load(server.jdbcUrl(), rows, LOADED_AT);
      System.out.printf("loaded %d events in %.0f s%n", rows, (System.nanoTime() - start) / 1e9);
      ChromeOptions options = new ChromeOptions();
      options.setBinary(new File("/usr/bin/chromium"));
      options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000");
      WebDriver driver = new ChromeDriver(new ChromeDriverService.Builder()
          .usingDriverExecutable(new File("/usr/bin/chromedriver")).build(), options);
      try {
        driver.get(server.uri() + "/ui");
        // Selenium's default 500 ms polling would be most of what is measured: poll every 5 ms.
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30), Duration.ofMillis(5));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token"))).sendKeys(server.token());
        driver.findElement(By.id("signin-button")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("search-form")));
        Random random = new Random(7);
        System.out.printf("%-10s %28s   %28s%n", "", "click -> shown (ms)", "page: request -> DOM (ms)");
        System.out.printf("%-10s %8s %8s %8s     %8s %8s %8s%n", "filter", "p50", "p90", "max", "p50", "p90", "max");
        for (Filter filter : Filter.values()) {
          double[] wall = new double[samples];
          double[] page = new double[samples];
          for (int i = -5; i < samples; i++) {
            double[] measured = search(driver, wait, filter.field, filter.value.apply(random));
            if (i >= 0) {
              wall[i] = measured[0];
              page[i] = measured[1];
            }
          }
          Arrays.sort(wall);
          Arrays.sort(page);
          System.out.printf("%-10s %8.1f %8.1f %8.1f     %8.1f %8.1f %8.1f%n", filter, at(wall, 0.5), at(wall, 0.9),
              wall[samples - 1], at(page, 0.5), at(page, 0.9), page[samples - 1]);
        }
      } finally {
        driver.quit();
      }
    }
  }

  /** One search: the field set, the click, until the page says it has shown the new results. */
  private static double[] search(WebDriver driver, WebDriverWait wait, String field, String value) {
    JavascriptExecutor js = (JavascriptExecutor) driver;
    js.executeScript("const f = document.getElementById('search-form'); for (const e of f.elements)"
        + " { if (e.name && e.name !== 'order') e.value = ''; } f.elements[arguments[0]].value = arguments[1];"
        + " delete document.body.dataset.searchMillis;", field, value);
    long t0 = System.nanoTime();
    driver.findElement(By.id("search-button")).click();
    wait.until(d -> js.executeScript("return document.body.dataset.searchMillis") != null);
    double wall = (System.nanoTime() - t0) / 1e6;
    double page = Double.parseDouble((String) js.executeScript("return document.body.dataset.searchMillis"));
    long shown = (Long) js.executeScript("return document.querySelectorAll('#results tbody tr').length");
    if (shown == 0 && !field.equals("since")) {
      throw new IllegalStateException("no rows for " + field + "=" + value);
    }
    return new double[] {wall, page};
  }

  private static double at(double[] sorted, double quantile) {
    return sorted[(int) Math.ceil(quantile * sorted.length) - 1];
  }
}
