-- The demo's sample database: a small shop. Deterministic (no RAND), generated with MariaDB's SEQUENCE engine
-- (seq_1_to_N tables), so it loads in a second. Types chosen to show the mapping: DECIMAL, DATETIME(6),
-- TIMESTAMP(3), JSON, ENUM, utf8mb4 text (accents, CJK, emoji), a nullable column, a composite primary key.
DROP DATABASE IF EXISTS shop;
CREATE DATABASE shop CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
USE shop;

CREATE TABLE customers (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  email VARCHAR(200) NOT NULL,
  city VARCHAR(60) NULL,
  tier ENUM('bronze', 'silver', 'gold') NOT NULL DEFAULT 'bronze',
  signed_up_at DATETIME(6) NOT NULL,
  prefs JSON NULL
);

CREATE TABLE products (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  sku CHAR(10) NOT NULL,
  title VARCHAR(200) NOT NULL,
  price DECIMAL(10, 2) NOT NULL,
  weight_kg DECIMAL(8, 3) NULL,
  stock INT NOT NULL,
  attributes JSON NOT NULL
);

CREATE TABLE orders (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id INT UNSIGNED NOT NULL,
  status ENUM('new', 'paid', 'shipped', 'delivered', 'cancelled') NOT NULL DEFAULT 'new',
  total DECIMAL(12, 2) NOT NULL DEFAULT 0,
  note TEXT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  KEY (customer_id),
  KEY (status)
);

CREATE TABLE order_items (
  order_id BIGINT UNSIGNED NOT NULL,
  line_no TINYINT UNSIGNED NOT NULL,
  product_id INT UNSIGNED NOT NULL,
  quantity SMALLINT UNSIGNED NOT NULL,
  unit_price DECIMAL(10, 2) NOT NULL,
  PRIMARY KEY (order_id, line_no)
);

INSERT INTO customers (id, name, email, city, tier, signed_up_at, prefs)
SELECT seq,
       CONCAT(ELT(1 + seq % 10, 'Ana', 'Björn', 'Chloé', 'Dmitrij', 'Émilie', 'Fatima', 'Günther', '陽翔', 'Zoë 🌻',
                  'Łukasz'),
              ' ', ELT(1 + (seq DIV 10) % 7, 'Silva', 'Müller', 'Dubois', 'Novák', 'Østergaard', '佐藤', 'García')),
       CONCAT('customer', seq, '@example.com'),
       IF(seq % 13 = 0, NULL, ELT(1 + seq % 6, 'Lisboa', 'München', 'Kraków', 'Malmö', '東京', 'São Paulo')),
       ELT(1 + (seq % 10 >= 7) + (seq % 10 = 9), 'bronze', 'silver', 'gold'),
       TIMESTAMP('2024-01-01') + INTERVAL seq * 7919 SECOND + INTERVAL seq * 37 MICROSECOND,
       IF(seq % 4 = 0, NULL,
          JSON_OBJECT('newsletter', seq % 2 = 0, 'lang', ELT(1 + seq % 3, 'pt', 'de', 'ja'), 'tags',
                      JSON_ARRAY(seq % 5, 'vip')))
FROM seq_1_to_500;

INSERT INTO products (id, sku, title, price, weight_kg, stock, attributes)
SELECT seq,
       CONCAT('SKU-', LPAD(seq, 6, '0')),
       CONCAT(ELT(1 + seq % 8, 'Café crème', 'Tee (grün)', 'Crème brûlée kit', '抹茶 matcha', 'Smørrebrød board',
                  'Piñata 🎉', 'Ölkanne', 'Jalapeño salsa'), ' #', seq),
       ROUND(1.99 + (seq * 37 % 500) + (seq % 100) / 100, 2),
       IF(seq % 9 = 0, NULL, (seq * 13 % 5000) / 1000),
       100 + seq * 7 % 400,
       JSON_OBJECT('color', ELT(1 + seq % 4, 'red', 'green', 'blue', 'naturel'), 'size', seq % 5,
                   'organic', seq % 3 = 0)
FROM seq_1_to_200;

INSERT INTO orders (id, customer_id, status, note, created_at, updated_at)
SELECT seq,
       1 + seq * 31 % 500,
       ELT(1 + seq % 5, 'new', 'paid', 'shipped', 'delivered', 'cancelled'),
       IF(seq % 7 = 0, CONCAT('Bitte klingeln — ', 'porte ', seq % 10, ' ✓'), NULL),
       TIMESTAMP('2025-01-01') + INTERVAL seq * 613 SECOND + INTERVAL seq * 101 MICROSECOND,
       TIMESTAMP('2025-01-01') + INTERVAL seq * 613 + 60 SECOND
FROM seq_1_to_2000;

INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price)
SELECT o.seq, l.seq, 1 + (o.seq * 17 + l.seq * 29) % 200, 1 + (o.seq + l.seq) % 4, 0
FROM seq_1_to_2000 o JOIN seq_1_to_4 l ON l.seq <= 1 + o.seq % 4;

UPDATE order_items i JOIN products p ON p.id = i.product_id SET i.unit_price = p.price;
UPDATE orders o JOIN (SELECT order_id, SUM(quantity * unit_price) AS s FROM order_items GROUP BY order_id) t
  ON t.order_id = o.id
SET o.total = t.s, o.updated_at = o.updated_at;
