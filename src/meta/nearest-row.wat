;; Nearest reference row by L1 distance for each of a batch of rows, four columns per instruction (128-bit
;; SIMD).
;;
;; Assembled into nearest-row-wasm.ts by `npm run kernels`; NearestRowKernel (nearest-row-kernel.ts) owns the
;; memory layout. Byte offsets into the one memory:
;;   0 ..                the reference rows, each `$bytes` long (columns padded with zeros to a multiple of 32),
;;                       in ascending order of their L1 norm
;;   $norms ..           each reference row's L1 norm, f64, ascending
;;   $x ..               the query row, `$bytes` long, padded like the reference rows
;;   $order ..           per packed column, the index of the input column it takes (i32)
;;   $weights ..         per packed column, its weight (f32)
;;   $rows ..            the rows to search for, unpacked (f32, $columns each)
;;   $distances ..       per row searched, the distance to its nearest reference row (f32)
;;   $nearest_out ..     per row searched, that reference row's index (i32)
;;
;; The search is exact: it walks outward from the query's own norm through the rows sorted by norm, and
;; since |‖x‖ − ‖r‖| ≤ ‖x − r‖ it stops once both directions are at least the best distance away. Each
;; distance is abandoned once its running sum reaches the best so far, checked every 32 columns: each check is
;; a branch the processor mostly cannot predict, and on traffic's 81-feature rows checking every 8 columns
;; cost more than the columns it saved (bench/nearest-row.js).
(module
  (memory (export "memory") 1)

  ;; Row index of the last search's nearest reference row.
  (global $nearest_row (mut i32) (i32.const 0))

  ;; The distance from the query row to its nearest of $rows reference rows; its index goes to
  ;; $nearest_row. $first is tried first (the previous query's nearest row: consecutive flows are often
  ;; alike, so the bound is tight from the start); $hi is the first row whose norm is ≥ $nx, the query's norm.
  ;; One loop takes each candidate's distance (inline: a call per candidate cost about 5 % more) and then
  ;; picks the next candidate.
  (func $nearest
    (param $x i32) (param $norms i32) (param $rows i32) (param $bytes i32)
    (param $first i32) (param $nx f64) (param $hi i32)
    (result f32)
    (local $lo i32)
    (local $r i32)
    (local $best f32)
    (local $near i32)
    (local $gap_lo f64)
    (local $gap_hi f64)
    (local $row i32)
    (local $k i32)
    (local $acc v128)
    (local $sum f32)
    (local.set $best (f32.const inf))
    (local.set $near (local.get $first))
    (local.set $r (local.get $first))
    (local.set $lo (i32.sub (local.get $hi) (i32.const 1)))
    (block $done
      (loop $walk
        ;; The L1 distance to row $r, 32 columns at a time, abandoned once it reaches $best.
        (local.set $row (i32.mul (local.get $r) (local.get $bytes)))
        (local.set $k (i32.const 0))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (loop $columns
          (local.set $acc
            (f32x4.add (local.get $acc)
              (f32x4.abs
                (f32x4.sub
                  (v128.load (i32.add (local.get $x) (local.get $k)))
                  (v128.load (i32.add (local.get $row) (local.get $k)))))))
          (local.set $acc
            (f32x4.add (local.get $acc)
              (f32x4.abs
                (f32x4.sub
                  (v128.load offset=16 (i32.add (local.get $x) (local.get $k)))
                  (v128.load offset=16 (i32.add (local.get $row) (local.get $k)))))))
          (local.set $acc
            (f32x4.add (local.get $acc)
              (f32x4.abs
                (f32x4.sub
                  (v128.load offset=32 (i32.add (local.get $x) (local.get $k)))
                  (v128.load offset=32 (i32.add (local.get $row) (local.get $k)))))))
          (local.set $acc
            (f32x4.add (local.get $acc)
              (f32x4.abs
                (f32x4.sub
                  (v128.load offset=48 (i32.add (local.get $x) (local.get $k)))
                  (v128.load offset=48 (i32.add (local.get $row) (local.get $k)))))))
          (local.set $acc
            (f32x4.add (local.get $acc)
              (f32x4.abs
                (f32x4.sub
                  (v128.load offset=64 (i32.add (local.get $x) (local.get $k)))
                  (v128.load offset=64 (i32.add (local.get $row) (local.get $k)))))))
          (local.set $acc
            (f32x4.add (local.get $acc)
              (f32x4.abs
                (f32x4.sub
                  (v128.load offset=80 (i32.add (local.get $x) (local.get $k)))
                  (v128.load offset=80 (i32.add (local.get $row) (local.get $k)))))))
          (local.set $acc
            (f32x4.add (local.get $acc)
              (f32x4.abs
                (f32x4.sub
                  (v128.load offset=96 (i32.add (local.get $x) (local.get $k)))
                  (v128.load offset=96 (i32.add (local.get $row) (local.get $k)))))))
          (local.set $acc
            (f32x4.add (local.get $acc)
              (f32x4.abs
                (f32x4.sub
                  (v128.load offset=112 (i32.add (local.get $x) (local.get $k)))
                  (v128.load offset=112 (i32.add (local.get $row) (local.get $k)))))))
          (local.set $k (i32.add (local.get $k) (i32.const 128)))
          (local.set $sum
            (f32.add
              (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
              (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
          (br_if $columns
            (i32.and
              (f32.lt (local.get $sum) (local.get $best))
              (i32.lt_u (local.get $k) (local.get $bytes)))))
        (if (f32.lt (local.get $sum) (local.get $best))
          (then
            (local.set $best (local.get $sum))
            (local.set $near (local.get $r))))
        ;; The next candidate: the nearer by key of the next row below and the next row above, other than
        ;; $first; done once both are at least $best away.
        (loop $pick
          (br_if $done
            (i32.and (i32.lt_s (local.get $lo) (i32.const 0)) (i32.ge_s (local.get $hi) (local.get $rows))))
          (local.set $gap_lo
            (if (result f64) (i32.ge_s (local.get $lo) (i32.const 0))
              (then
                (f64.sub (local.get $nx)
                  (f64.load (i32.add (local.get $norms) (i32.shl (local.get $lo) (i32.const 3))))))
              (else (f64.const inf))))
          (local.set $gap_hi
            (if (result f64) (i32.lt_s (local.get $hi) (local.get $rows))
              (then
                (f64.sub
                  (f64.load (i32.add (local.get $norms) (i32.shl (local.get $hi) (i32.const 3))))
                  (local.get $nx)))
              (else (f64.const inf))))
          (br_if $done
            (f64.ge (f64.min (local.get $gap_lo) (local.get $gap_hi)) (f64.promote_f32 (local.get $best))))
          (if (f64.le (local.get $gap_lo) (local.get $gap_hi))
            (then
              (local.set $r (local.get $lo))
              (local.set $lo (i32.sub (local.get $lo) (i32.const 1))))
            (else
              (local.set $r (local.get $hi))
              (local.set $hi (i32.add (local.get $hi) (i32.const 1)))))
          (br_if $pick (i32.eq (local.get $r) (local.get $first))))
        (br $walk)))
    (global.set $nearest_row (local.get $near))
    (local.get $best))

  ;; Searches for each of the $n rows at $rows: packs it into the query row ($x) as the reference rows were
  ;; packed (column k = weight k · input column order[k]), finds the first reference row whose norm is at
  ;; least the query's by bisection, and runs $nearest from the previous row's nearest reference row
  ;; ($first for the first). Distances go to $distances, nearest row indices to $nearest_out.
  (func $search_rows (export "search_rows")
    (param $rows i32) (param $n i32) (param $columns i32) (param $order i32) (param $weights i32)
    (param $x i32) (param $norms i32) (param $count i32) (param $bytes i32) (param $first i32)
    (param $distances i32) (param $nearest_out i32)
    (local $i i32)
    (local $k i32)
    (local $v f32)
    (local $norm f64)
    (local $lo i32)
    (local $hi i32)
    (local $mid i32)
    (block $done
      (loop $each_row
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $norm (f64.const 0))
        (local.set $k (i32.const 0))
        (loop $pack
          (local.set $v
            (f32.mul
              (f32.load (i32.add (local.get $weights) (i32.shl (local.get $k) (i32.const 2))))
              (f32.load
                (i32.add (local.get $rows)
                  (i32.shl (i32.load (i32.add (local.get $order) (i32.shl (local.get $k) (i32.const 2))))
                    (i32.const 2))))))
          (f32.store (i32.add (local.get $x) (i32.shl (local.get $k) (i32.const 2))) (local.get $v))
          (local.set $norm (f64.add (local.get $norm) (f64.promote_f32 (f32.abs (local.get $v)))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $pack (i32.lt_u (local.get $k) (local.get $columns))))
        (local.set $lo (i32.const 0))
        (local.set $hi (local.get $count))
        (block $found
          (loop $bisect
            (br_if $found (i32.ge_u (local.get $lo) (local.get $hi)))
            (local.set $mid (i32.shr_u (i32.add (local.get $lo) (local.get $hi)) (i32.const 1)))
            (if (f64.lt (f64.load (i32.add (local.get $norms) (i32.shl (local.get $mid) (i32.const 3))))
                  (local.get $norm))
              (then (local.set $lo (i32.add (local.get $mid) (i32.const 1))))
              (else (local.set $hi (local.get $mid))))
            (br $bisect)))
        (f32.store (i32.add (local.get $distances) (i32.shl (local.get $i) (i32.const 2)))
          (call $nearest (local.get $x) (local.get $norms) (local.get $count) (local.get $bytes)
            (select (local.get $first) (i32.const 0) (i32.lt_u (local.get $first) (local.get $count)))
            (local.get $norm) (local.get $lo)))
        (local.set $first (global.get $nearest_row))
        (i32.store (i32.add (local.get $nearest_out) (i32.shl (local.get $i) (i32.const 2)))
          (local.get $first))
        (local.set $rows (i32.add (local.get $rows) (i32.shl (local.get $columns) (i32.const 2))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each_row)))))
