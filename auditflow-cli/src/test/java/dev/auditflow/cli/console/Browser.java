package dev.auditflow.cli.console;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium — Debian's {@code chromium}, driven through its {@code chromedriver}
 * (packages {@code chromium} and {@code chromium-driver}, which {@code .ci/run} installs) — so that
 * nothing is downloaded while the tests run.
 */
final class Browser implements AutoCloseable {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  /** Where the tests leave their screenshots (copied into docs/console/ for the README). */
  static final Path SCREENSHOTS = Path.of("target/console-screenshots");

  private final WebDriver driver;

  Browser() {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      throw new IllegalStateException("the console's browser tests need " + CHROMIUM + " and " + CHROMEDRIVER
          + ": apt-get install chromium chromium-driver (.ci/run does)");
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
        "--window-size=1400,1000", "--lang=en-US");
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER.toString())).build();
    this.driver = new ChromeDriver(service, options);
  }

  WebDriver driver() {
    return driver;
  }

  void open(String url) {
    driver.get(url);
  }

  WebElement find(String css) {
    return driver.findElement(By.cssSelector(css));
  }

  Object script(String javascript, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(javascript, args);
  }

  /** Runs asynchronous script that ends by calling {@code done(value)}; returns the value. */
  Object asyncScript(String javascript) {
    return ((JavascriptExecutor) driver).executeAsyncScript(
        "const done = arguments[arguments.length - 1]; " + javascript);
  }

  /**
   * Clicks the first element matching {@code css}, finding it again if the page re-rendered it
   * between finding and clicking (a list replaced by a later answer).
   */
  void click(String css) {
    new WebDriverWait(driver, Duration.ofSeconds(15)).ignoring(StaleElementReferenceException.class).until(d -> {
      d.findElement(By.cssSelector(css)).click();
      return true;
    });
  }

  /** Waits (up to 15 s: a loaded machine) until the condition holds. */
  <T> T await(ExpectedCondition<T> condition) {
    return new WebDriverWait(driver, Duration.ofSeconds(15)).until(condition);
  }

  void screenshot(String name) {
    try {
      Files.createDirectories(SCREENSHOTS);
      Files.write(SCREENSHOTS.resolve(name + ".png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    driver.quit();
  }
}
